// Keycloak's testLDAPConnection answers 400 {"errorMessage": CODE} (keycloak.md §3). Each code,
// seen from the admin's chair: what it means when this machine could reach the directory.
const ADVICE: Record<string, string> = {
  AuthenticationFailure: 'the directory rejected the bind DN or password when Keycloak sent them: check --bind-dn and the bind password',
  CommunicationError: 'Keycloak cannot talk to the directory although this machine can: check DNS, firewalls and routes from the Keycloak pod to the LDAP host and port',
  ConnectionFailed: 'the connection from Keycloak was refused: the LDAP host or port is not reachable from the Keycloak pod (firewall, NetworkPolicy, wrong port)',
  ServiceUnavailable: 'the directory answered "unavailable" to Keycloak: it may be starting, overloaded or refusing this client',
  UnknownHost: 'Keycloak cannot resolve the LDAP host name: use a name the cluster DNS knows (or an IP address)',
  NoRouteToHost: 'there is no network route from Keycloak to the LDAP host',
  SocketReset: 'the directory reset Keycloak\'s connection: often a TLS/plain mismatch (ldaps:// against port 389, or ldap:// against 636)',
  SSLHandshakeFailed: "Keycloak does not trust the directory's certificate: add the LDAP CA to Keycloak's truststore (truststore-paths / the truststore SPI) — useTruststoreSpi is 'always'",
  InvalidName: 'the directory rejected a DN Keycloak sent: check --bind-dn and --users-dn syntax',
  InvalidBindDN: 'Keycloak was given an empty or malformed bind DN',
  NameNotFound: 'a DN Keycloak used does not exist in the directory',
  MalformedURL: 'Keycloak could not parse the connection URL',
  NamingError: 'the directory returned an LDAP error to Keycloak, or did not answer within connectionTimeout (see the Keycloak log for the detail)',
  GroupsMultipleParents: "a group mapper of the federation found a group with several parents, which it cannot represent: check the federation's group mappers (dirlink does not make any)",
  UnknownError: "Keycloak could not classify the failure (an unclassified error): the Keycloak server log has the exception; a service on that port that is not LDAP looks like this",
};

/** Every code Keycloak's getErrorCode can return (keycloak.md §3), in its order. */
export const KEYCLOAK_TEST_CODES = [
  'NamingError', 'AuthenticationFailure', 'CommunicationError', 'ServiceUnavailable', 'InvalidName', 'InvalidBindDN', 'NameNotFound',
  'GroupsMultipleParents', 'MalformedURL', 'NoRouteToHost', 'ConnectionFailed', 'UnknownHost', 'SSLHandshakeFailed', 'SocketReset', 'UnknownError',
] as const;

export function adviceFor(code: string | undefined): string {
  return (code && ADVICE[code]) ?? `Keycloak reported ${code ?? 'an error'}; see the Keycloak server log`;
}
