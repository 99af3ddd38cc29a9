/** How the cells of a column line up: `numbers` right-aligns every column but the first. */
export type TableAlign = 'left' | 'numbers';

/**
 * A plain-text table as lines, columns padded to their widest cell and two spaces apart. The last
 * cell of a left-aligned row is never padded, so no line ends in spaces.
 */
export function textTable(rows: readonly (readonly string[])[], align: TableAlign = 'left'): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const pad = (cell: string, column: number): string => (align === 'numbers' && column > 0 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0));
  return rows.map((row) => row.map((cell, column) => (align === 'left' && column === row.length - 1 ? cell : pad(cell, column))).join('  ').trimEnd());
}
