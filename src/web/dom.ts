/// <reference lib="dom" />
/** A few DOM helpers: the page is plain TypeScript, no framework. */

export type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `h('button', { class: 'x', onclick }, 'Go')`: an element with attributes, listeners and children. */
export function h(tag: string, props: Props | null = null, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element, as `h`. */
export function s(tag: string, props: Props | null = null, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  apply(element, props);
  append(element, children);
  return element;
}

function apply(element: Element, props: Props | null): void {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (typeof value === 'function') element.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(key, String(value));
  }
}

function append(element: Element, children: Child[]): void {
  for (const child of children.flat(Infinity as 1) as Child[]) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function mount(element: Element, ...children: Child[]): void {
  element.replaceChildren();
  append(element, children);
}

export const fmt = {
  count: (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US')),
  /** 0.8333 -> 83.3% */
  pct: (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`),
  /** 0.8333 -> 0.833 */
  ratio: (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3)),
  cost: (x: number | null | undefined) => (x === null || x === undefined ? 'unknown' : `$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`),
};
