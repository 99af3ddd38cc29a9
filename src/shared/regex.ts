/** Rule regexes ignore case: users write words, not byte patterns. */
export const QUERY_REGEX_FLAGS = 'iu';

/** `*` is any run of characters, `?` one character; everything else is literal. The whole value must match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}
