// bench/RESULTS.md is written by `npm run bench`, but two of its parts come from elsewhere: the notes,
// written by hand, and the local route's goals, written by `npm run bench:llama`. Each sits between
// markers, and whichever bench rewrites the file keeps the other's block as it found it.

export type BlockName = 'notes' | 'llama';

const pattern = (name: BlockName) => new RegExp(`<!-- ${name}:begin -->[\\s\\S]*?<!-- ${name}:end -->`);

/** The block as it stands in `text` (markers included), or an empty one. */
export function keptBlock(text: string, name: BlockName): string {
  return pattern(name).exec(text)?.[0] ?? `<!-- ${name}:begin -->\n<!-- ${name}:end -->`;
}

/** `text` with the block's content replaced (appended when it has none yet). */
export function withBlock(text: string, name: BlockName, content: string): string {
  const block = `<!-- ${name}:begin -->\n${content.trimEnd()}\n<!-- ${name}:end -->`;
  return pattern(name).test(text) ? text.replace(pattern(name), () => block) : `${text.trimEnd()}\n\n${block}\n`;
}
