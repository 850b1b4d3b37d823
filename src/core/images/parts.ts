import type { Template } from '../template.js';

/** A row's prompt before its images are read: text, and each image placeholder's cell. */
export type RowParts = (string | { readonly image: string | null })[];

/**
 * Compiles a template into a function from one row's rendered values (in `columnOrder`) to text
 * and image references: a placeholder bound to one of `images` is an image, every other one
 * text as `compileTemplate` renders it; adjacent text is joined.
 */
export function compileParts(
  template: Template,
  columnOrder: readonly string[],
  binding: ReadonlyMap<string, string>,
  images: ReadonlySet<string>,
): (values: readonly (string | null)[]) => RowParts {
  const pieces = template.parts.map((part) => {
    if (typeof part === 'string') return part;
    const column = binding.get(part.column) ?? part.column;
    return { index: columnOrder.indexOf(column), image: images.has(column) };
  });
  return (values) => {
    const out: RowParts = [];
    let text = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') text += piece;
      else if (!piece.image) text += values[piece.index] ?? '';
      else {
        if (text) { out.push(text); text = ''; }
        out.push({ image: values[piece.index] });
      }
    }
    if (text) out.push(text);
    return out;
  };
}
