/** The message of anything thrown, for logs and failure texts (a thrown non-Error is shown as text). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `code` of a Node or undici error (ENOENT, ECONNREFUSED, UND_ERR_…), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The name of an error (AbortError, TimeoutError, …), or undefined for a thrown non-Error. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
