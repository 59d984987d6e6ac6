import { parseHTML } from 'linkedom';

/**
 * The few DOM members the reader uses, typed here because the project compiles without the browser "DOM"
 * library (linkedom's own typings refer to it). linkedom is a light server-side DOM: enough for
 * Readability and for reading metadata, without jsdom's weight.
 */

export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentElement: DomElement | null;
}

export interface DomElement extends DomNode {
  tagName: string;
  id: string;
  className: string;
  children: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  closest(selector: string): DomElement | null;
  remove(): void;
}

export interface DomDocument {
  title: string;
  documentElement: DomElement;
  body: DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;

/** Parses a page into a document whose relative links resolve against `url`. */
export function parseDocument(html: string): DomDocument {
  const { document } = parseHTML(html) as unknown as { document: DomDocument };
  return document;
}

/** Selector matches as an array. */
export function all(root: Pick<DomElement, 'querySelectorAll'>, selector: string): DomElement[] {
  return Array.from(root.querySelectorAll(selector));
}

/** Text with runs of whitespace (newlines, tabs, no-break spaces) made one space, trimmed. */
export function squash(text: string | null | undefined): string {
  return (text ?? '').replace(/[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+/g, ' ').trim();
}
