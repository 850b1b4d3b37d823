import type { Dataset } from './dataset.js';
import type { VariantSpec } from './spec.js';
import { bindColumns, compileTemplate, parseTemplate } from './template.js';

/** The columns to stream for a job's variants, and a renderer per variant over them. */
export interface VariantPrompts {
  /** Every column some variant's template uses, once, in first-use order. */
  readonly columns: string[];
  /** Per variant: the prompt for one row's values of `columns`. */
  readonly renders: ((values: readonly (string | null)[]) => string)[];
}

/** Binds every variant's template to the dataset's columns (one clear error for a missing one). */
export function compileVariants(variants: readonly Pick<VariantSpec, 'prompt'>[], dataset: Pick<Dataset, 'columns' | 'label'>): VariantPrompts {
  const available = dataset.columns.map((c) => c.name);
  const bound = variants.map((variant) => {
    const template = parseTemplate(variant.prompt);
    return { template, binding: bindColumns(template, available, dataset.label) };
  });
  const columns = [...new Set(bound.flatMap(({ binding }) => [...binding.values()]))];
  return { columns, renders: bound.map(({ template, binding }) => compileTemplate(template, columns, binding)) };
}
