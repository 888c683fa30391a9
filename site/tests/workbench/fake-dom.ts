/**
 * Just enough of the DOM for the workbench's views (plain createElement/append/textContent code) to
 * render under Node, so a test can read every word a view shows — text and the attributes a screen
 * reader or a tooltip says (aria-label, title).
 */
export class FakeElement {
  children: Array<FakeElement | string> = [];
  attributes = new Map<string, string>();
  dataset: Record<string, string> = {};
  className = '';
  type = '';
  title = '';
  open = false;
  hidden = false;
  value = 0;
  parent: FakeElement | null = null;
  listeners = new Map<string, Array<() => void>>();

  constructor(readonly tagName: string) {}

  get textContent(): string {
    return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }

  set textContent(text: string) {
    this.children = text === '' ? [] : [text];
  }

  append(...nodes: Array<FakeElement | string>): void {
    for (const node of nodes) {
      if (typeof node !== 'string') node.parent = this;
      this.children.push(node);
    }
  }

  prepend(...nodes: Array<FakeElement | string>): void {
    this.children.unshift(...nodes);
  }

  replaceChildren(...nodes: Array<FakeElement | string>): void {
    this.children = [];
    this.append(...nodes);
  }

  remove(): void {
    if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
  }

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }

  toggleAttribute(name: string, on: boolean): void {
    if (on) this.attributes.set(name, '');
    else this.attributes.delete(name);
  }

  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  click(): void {
    for (const listener of this.listeners.get('click') ?? []) listener();
  }

  /** Every element below this one (itself included), depth first. */
  all(): FakeElement[] {
    return [this, ...this.children.flatMap((c) => (typeof c === 'string' ? [] : c.all()))];
  }

  /** Everything a reader meets: the text nodes, then the spoken and tooltip attributes. */
  words(): string[] {
    const out: string[] = [];
    for (const element of this.all()) {
      for (const child of element.children) if (typeof child === 'string' && child.trim()) out.push(child.trim());
      for (const name of ['aria-label', 'title']) {
        const value = name === 'title' ? element.title || element.getAttribute('title') : element.getAttribute(name);
        if (value) out.push(value);
      }
    }
    return out;
  }
}

/** Installs a `document` whose createElement makes FakeElements; returns a fresh container. */
export function fakeDocument(): FakeElement {
  (globalThis as { document?: unknown }).document = { createElement: (tag: string) => new FakeElement(tag) };
  return new FakeElement('div');
}
