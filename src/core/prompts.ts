import type { Dataset } from './dataset.js';
import type { VariantSpec } from './spec.js';
import { bindColumns, compileTemplate, parseTemplate } from './template.js';
import { compileParts, type RowParts } from './images/parts.js';

/** The columns to stream for a job's variants, and a renderer per variant over them. */
export interface VariantPrompts {
  /** Every column some variant's template uses, once, in first-use order. */
  readonly columns: string[];
  /** Per variant: the prompt for one row's values of `columns`. */
  readonly renders: ((values: readonly (string | null)[]) => string)[];
  /** Per variant: the prompt as text and image references (placeholders of `images` columns are images). */
  readonly parts: ((values: readonly (string | null)[]) => RowParts)[];
}

/** Binds every variant's template to the dataset's columns (one clear error for a missing one). */
export function compileVariants(
  variants: readonly Pick<VariantSpec, 'prompt'>[],
  dataset: Pick<Dataset, 'columns' | 'label'>,
  images: ReadonlySet<string> = new Set(),
): VariantPrompts {
  const available = dataset.columns.map((c) => c.name);
  const bound = variants.map((variant) => {
    const template = parseTemplate(variant.prompt);
    return { template, binding: bindColumns(template, available, dataset.label) };
  });
  const columns = [...new Set(bound.flatMap(({ binding }) => [...binding.values()]))];
  return {
    columns,
    renders: bound.map(({ template, binding }) => compileTemplate(template, columns, binding)),
    parts: bound.map(({ template, binding }) => compileParts(template, columns, binding, images)),
  };
}
