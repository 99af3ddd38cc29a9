/** The message of anything thrown, for logs and failure texts (a thrown non-Error is shown as text). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `code` of a Node or undici error, or of its cause. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string' ? (cause as { code: string }).code : undefined;
}

/** The name of an error (AbortError, TimeoutError, …), or undefined for a thrown non-Error. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
