import { readFileSync, writeFileSync } from 'node:fs';
import { permissionTable } from '../../functions/auth/permission-table.js';
import { routes } from '../../functions/routes.js';

// `npm run docs:access`: rewrites the role table of docs/access-control.md from the route table,
// so a new route's rights are documented by the same code the access-control test checks.
const PAGE = 'docs/access-control.md';
const page = readFileSync(PAGE, 'utf8');
const start = page.indexOf('| Route | Permission |');
if (start < 0) throw new Error(`${PAGE} has no role table to replace`);
const end = page.indexOf('\n\n', start);
const rest = end < 0 ? '\n' : page.slice(end);
writeFileSync(PAGE, page.slice(0, start) + permissionTable(routes) + rest);
console.log(`${PAGE}: role table rewritten (${routes.filter((route) => !route.public).length} routes)`);
