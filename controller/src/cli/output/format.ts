import { stringify } from 'yaml';

/** Output formats of every command that prints data (`-o`). */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Render `data` for stdout. json and yaml print the data exactly (scripts depend on it); table
 * calls `table` for the human view. Always ends with a newline.
 */
export function renderOutput(format: OutputFormat, data: unknown, table: () => string): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(data, null, 2)}\n`;
    case 'yaml':
      return stringify(data);
    case 'table': {
      const text = table();
      return text.endsWith('\n') ? text : `${text}\n`;
    }
  }
}
