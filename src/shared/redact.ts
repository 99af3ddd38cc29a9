/** What a credential in free text looks like: a bearer token, or an `sk-…` style API key. */
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
const API_KEY = /\bsk-[A-Za-z0-9_-]{6,}/g;
const REDACTED = '[redacted]';

/**
 * Text another program wrote (a backend's error message may quote the key it received), with the
 * given secrets and anything credential-shaped replaced, before it reaches a log or a client.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '' && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out.replace(BEARER, `$1${REDACTED}`).replace(API_KEY, REDACTED);
}
