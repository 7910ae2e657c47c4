// A small helper to build DOM nodes. Text always becomes text nodes (never parsed as HTML), and
// inline styles are refused: presentation lives in styles.css, so a strict CSP holds.

export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = {
  [name: string]: AttrValue | ((event: Event) => void);
};

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(parent, c);
    return;
  }
  parent.appendChild(
    child instanceof Node ? child : document.createTextNode(String(child as string | number)),
  );
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "style") throw new Error("inline styles are not allowed; use a class");
      if (typeof value === "function") {
        if (!name.startsWith("on")) throw new Error(`attribute ${name} cannot be a function`);
        el.addEventListener(name.slice(2).toLowerCase(), value);
      } else if (value === true) {
        el.setAttribute(name, "");
      } else if (value !== false && value !== null && value !== undefined) {
        el.setAttribute(name, String(value));
      }
    }
  }
  for (const child of children) append(el, child);
  return el;
}

/** Replaces the children of an element. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const child of children) append(el, child);
}

let idCounter = 0;

/** A document-unique id for label/aria references. */
export function uniqueId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
