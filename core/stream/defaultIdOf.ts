/** Default item id: `id` or `frame.id` when the item has one. */
export function defaultIdOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (typeof item === 'object' && item !== null) {
    const o = item as { id?: unknown; frame?: { id?: unknown }; frameId?: unknown };
    if (typeof o.id === 'string') return o.id;
    if (typeof o.frame?.id === 'string') return o.frame.id;
    if (typeof o.frameId === 'string') return o.frameId;
  }
  return undefined;
}
