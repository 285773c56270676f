/**
 * A small strict reader for the XML zdt writes (no XML library is installed): prolog, elements,
 * quoted attributes and text with the five named entities and numeric references. No DTDs,
 * CDATA, comments or processing instructions: anything it does not understand is an error.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][A-Za-z0-9._-]*';
const REFERENCE = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(xml: string): XmlElement {
  const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (!xml.startsWith(prolog)) throw new Error('missing XML prolog');
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) throw new Error('character not allowed in XML');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tokens = /<[^<>]*>|[^<>]+|[<>]/g;
  tokens.lastIndex = prolog.length;
  for (let m = tokens.exec(xml); m; m = tokens.exec(xml)) {
    const token = m[0];
    const at = `at offset ${m.index}`;
    if (token === '<') throw new Error(`unescaped < ${at}`);
    if (!token.startsWith('<')) {
      const text = decode(token.replace(/>/g, () => { throw new Error(`unescaped > ${at}`); }), at);
      const top = stack.at(-1);
      if (top) top.text += text;
      else if (text.trim() !== '') throw new Error(`text outside the root element ${at}`);
      continue;
    }
    const close = new RegExp(`^</(${NAME})\\s*>$`).exec(token);
    if (close) {
      const open = stack.pop();
      if (open?.name !== close[1]) throw new Error(`</${close[1]}> closes <${open?.name}> ${at}`);
      continue;
    }
    const tag = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(/?)>$`).exec(token);
    if (!tag) throw new Error(`malformed tag ${token.slice(0, 60)} ${at}`);
    const attrs: Record<string, string> = {};
    for (const a of tag[2]!.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"<]*)"`, 'g'))) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} ${at}`);
      attrs[a[1]!] = decode(a[2]!, at);
    }
    const element: XmlElement = { name: tag[1]!, attrs, children: [], text: '' };
    if (stack.length > 0) stack.at(-1)!.children.push(element);
    else if (root) throw new Error(`second root element ${at}`);
    else root = element;
    if (tag[3] !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new Error('no root element');
  return root;
}

function decode(raw: string, at: string): string {
  let out = '';
  for (let i = 0; i < raw.length; ) {
    if (raw[i] !== '&') {
      out += raw[i++];
      continue;
    }
    REFERENCE.lastIndex = i;
    const ref = REFERENCE.exec(raw);
    if (!ref) throw new Error(`bad entity reference ${raw.slice(i, i + 12)} ${at}`);
    const body = ref[0].slice(1, -1);
    out += body.startsWith('#x') ? String.fromCodePoint(parseInt(body.slice(2), 16)) : body.startsWith('#') ? String.fromCodePoint(Number(body.slice(1))) : NAMED[body];
    i += ref[0].length;
  }
  return out;
}

export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((c) => (c.name === name ? [c, ...findAll(c, name)] : findAll(c, name)));
}
