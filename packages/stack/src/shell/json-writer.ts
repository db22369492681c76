/**
 * iproute2's json_writer (lib/json_writer.c) output: compact `[{"a":1}]`, or with `-p` its pretty
 * form (4-space indents, arrays kept on one line as `[ "A","B" ]`, objects in arrays as `},{`).
 * Values are plain JS values; object key order is kept. A trailing newline ends the document.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function formatJson(value: JsonValue, pretty: boolean): string {
  let out = '';
  let depth = 0;
  let sep = '';
  const eor = (): void => {
    if (sep) out += sep;
    sep = ',';
  };
  const eol = (): void => {
    if (!pretty) return;
    out += '\n' + '    '.repeat(depth);
  };
  const begin = (c: string): void => {
    eor();
    out += c;
    depth++;
    sep = '';
  };
  const end = (c: string): void => {
    depth--;
    if (sep) eol();
    out += c;
    sep = ',';
  };
  const write = (v: JsonValue): void => {
    if (Array.isArray(v)) {
      begin('[');
      if (pretty) out += ' ';
      for (const item of v) write(item);
      if (pretty && sep) out += ' ';
      sep = '';
      end(']');
    } else if (v !== null && typeof v === 'object') {
      begin('{');
      for (const [key, item] of Object.entries(v)) {
        eor();
        eol();
        sep = '';
        out += JSON.stringify(key) + ':' + (pretty ? ' ' : '');
        write(item);
      }
      end('}');
    } else {
      eor();
      out += v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v);
    }
  };
  write(value);
  return out + '\n';
}
