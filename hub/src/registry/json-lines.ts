/**
 * Where each row of a registry JSON document starts: `"devices:3" → 57`. A small scanner over
 * the text (strings, escapes, nesting), so import errors can name the line of the bad row.
 * Only rows of the top-level arrays are located; anything else is ignored.
 */
export function jsonRowLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let line = 1;
  const stack: ('{' | '[')[] = [];
  let topKey: string | undefined; // key of the current top-level member
  let lastString = '';
  let index = -1; // index of the next element in a top-level array
  let expectValue = false; // inside a top-level array, waiting for the start of an element
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') continue;
    const inTopArray = stack.length === 2 && stack[1] === '[';
    if (inTopArray && expectValue && ch !== ']' && topKey !== undefined) {
      index++;
      out.set(`${topKey}:${index}`, line);
      expectValue = false;
    }
    if (ch === '"') {
      let s = '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
        s += text[i] ?? '';
      }
      lastString = s;
      continue;
    }
    if (ch === '{' || ch === '[') {
      if (stack.length === 1 && ch === '[') {
        topKey = lastString;
        index = -1;
        expectValue = true;
      }
      stack.push(ch);
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',' && inTopArray) {
      expectValue = true;
    }
  }
  return out;
}
