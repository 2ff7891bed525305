import { sortableProperties, type SearchableObject } from '../../functions/search/searchable-object.js';

/** The documented property table of a searchable object (docs/search.md), rebuilt from its declaration. */
export function searchPropertyTable(object: SearchableObject<any>): string {
  const sortable = new Set(sortableProperties(object));
  const rows = Object.entries(object.properties).map(([name, property]) => {
    const type = property.type === 'enum' ? `enum: ${property.values!.join(', ')}` : property.type;
    const notes = [
      property.caseInsensitive ? 'case-insensitive' : '',
      property.nullable ? 'may be missing' : '',
      property.type === 'money' ? "compared within the value's currency" : '',
    ].filter(Boolean);
    return `| \`${name}\` | ${type} | ${sortable.has(name) ? 'yes' : 'no'} | ${notes.join(', ') || '—'} |`;
  });
  return [
    '| Property | Type | Sortable | Notes |',
    '|---|---|---|---|',
    ...rows,
    '',
    `\`query\` matches: ${object.textColumns.map((column) => `\`${column}\``).join(', ')}.`,
  ].join('\n');
}
