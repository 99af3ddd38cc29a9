/**
 * The text of a body when it has at most `maxBytes`, else null (what arrived beyond is not kept, and
 * the body is destroyed): an upstream's answer read whole must not decide how much memory it takes.
 */
export async function readTextUpTo(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
