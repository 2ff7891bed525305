/** Where the previous page of a sorted list ended: the sort key and id of its last item. */
export interface PagePosition {
  readonly key: string;
  readonly id: string;
}

/** One page of a child list read in a fixed order: after the item named by `after` (undefined: from the start). */
export interface PageRequest {
  readonly after?: string | undefined;
  readonly limit: number;
}

/** A page of a child list, or `unknown_after` when `after` names no item of this parent. */
export type ChildPage<T> =
  { readonly kind: 'page'; readonly items: readonly T[]; readonly hasMore: boolean } | { readonly kind: 'unknown_after' };
