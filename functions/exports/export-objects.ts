import { COMPANY_SEARCH } from '../companies/company-search.js';
import { CUSTOMER_SEARCH } from '../customers/customer-search.js';
import { DEAL_SEARCH } from '../deals/deal-search.js';
import { INTERACTION_SEARCH } from '../interactions/interaction-search.js';
import type { SearchableObject } from '../search/searchable-object.js';
import type { ExportObjectName } from './export-store.js';

/** What an export can walk: each object's search declaration (its properties, scope and representation). */
export const EXPORT_OBJECTS: Readonly<Record<ExportObjectName, SearchableObject<any>>> = {
  customers: CUSTOMER_SEARCH,
  companies: COMPANY_SEARCH,
  deals: DEAL_SEARCH,
  interactions: INTERACTION_SEARCH,
};

/**
 * The file's columns: exactly the chosen properties in their order (an export meant for an import
 * leaves `id` out, since ids are the service's to give), or every field of the representation in
 * its order, `id` first.
 */
export function exportColumns(object: SearchableObject<any>, properties: readonly string[] | undefined): string[] {
  return properties ? [...properties] : Object.keys(object.representation.shape);
}
