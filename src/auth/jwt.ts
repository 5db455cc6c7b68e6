// Reading (never verifying) a JWT's payload: dirlink only needs the claims of tokens it was just
// given by the issuer itself (expiry of an admin token, an exec plugin's id-token, verify's claims).
// A token that is not a JWT reads as no claims, so callers fall back instead of failing.

/** The payload's claims; {} when the token is not a decodable JWT. */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The `exp` claim in ms since the epoch; 0 when there is none. */
export function jwtExpiry(token: string): number {
  const exp = jwtClaims(token).exp;
  return typeof exp === 'number' ? exp * 1000 : 0;
}
