/** Polls an async condition until it holds, or fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean | void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
