// Turns what the API server (or the network) said into a KubeError that names what failed and
// the fix. Messages quote the server's own Status text (it names the user, never a token).
import { KubeError } from '../errors.js';
import { NetError, type Response } from './http.js';

export interface Where { server: string; namespace: string; deployment: string }

const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID', 'EPROTO']);

/** The `message` of a Kubernetes Status body, or a trimmed raw body. */
export function statusMessage(r: Response): string {
  try {
    const s = JSON.parse(r.body) as { message?: string };
    if (s.message) return s.message;
  } catch { /* not JSON */ }
  return r.body.trim().slice(0, 300) || `HTTP ${r.status}`;
}

export function rbacHint(w: Where): string {
  return `The Kubernetes identity in use needs, in namespace ${w.namespace}: apiGroups ["apps"], resources ["deployments"], `
    + `resourceNames ["${w.deployment}"], verbs ["get", "patch"]; and apiGroups ["apps"], resources ["deployments"], verbs ["list", "watch"]. `
    + `templates/rbac.yaml has this Role with a ServiceAccount and RoleBinding (kubectl apply -f templates/rbac.yaml). `
    + `Check with: kubectl auth can-i patch deployments/${w.deployment} -n ${w.namespace}`;
}

export function netError(e: unknown, w: Where): KubeError {
  const code = e instanceof NetError ? e.code : (e as { code?: string }).code ?? 'ERR';
  const detail = e instanceof Error ? e.message : String(e);
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|altnames/i.test(detail)) {
    return new KubeError('kube.tls', `the TLS certificate of the Kubernetes API server at ${w.server} was not accepted: ${detail}`, {
      hint: 'Set certificate-authority (or certificate-authority-data) for this cluster in your kubeconfig, or pick the right context with --context.',
      cause: e,
    });
  }
  const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN'
    ? 'The API server host name does not resolve: check the cluster address in your kubeconfig (--kubeconfig, --context) and your VPN or DNS.'
    : 'Check the cluster address in your kubeconfig (--kubeconfig, --context), that this machine can reach it (VPN, firewall), and that the cluster is up: kubectl cluster-info.';
  return new KubeError('kube.unreachable', `cannot reach the Kubernetes API server at ${w.server}: ${detail}`, { hint, cause: e, data: { errno: code } });
}

/** A non-2xx answer to `what` (e.g. "read deployment runai-backend/x"). 404 is handled by the caller. */
export function httpError(r: Response, what: string, w: Where, verb: string): KubeError {
  const msg = statusMessage(r);
  if (r.status === 401) {
    return new KubeError('kube.unauthorized', `the Kubernetes API server rejected the credentials while trying to ${what}: ${msg}`, {
      hint: 'Your kubeconfig credentials are missing or expired: log in to the cluster again (e.g. refresh the token), then check with: kubectl get deployments -n ' + w.namespace,
      data: { status: 401 },
    });
  }
  if (r.status === 403) {
    return new KubeError('kube.forbidden', `not allowed to ${what}: ${msg}`, { hint: rbacHint(w), data: { status: 403, verb } });
  }
  return new KubeError('kube.api', `the Kubernetes API server failed to ${what}: HTTP ${r.status}: ${msg}`, {
    hint: 'Retry; if it persists, look at the API server and at the deployment with: kubectl describe deployment ' + `${w.deployment} -n ${w.namespace}`,
    data: { status: r.status },
  });
}
