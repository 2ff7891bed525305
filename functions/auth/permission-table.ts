import { ROLES, type Permission } from './permissions.js';

/** The role table of docs/access-control.md, rebuilt from a route table and its permissions. */
export function permissionTable(routes: readonly { method: string; path: string; public?: boolean; permission?: Permission }[]): string {
  const header = `| Route | Permission | ${ROLES.join(' | ')} |\n|---|---|${ROLES.map(() => '---|').join('')}`;
  const rows = routes
    .filter((route) => !route.public)
    .map((route) => {
      const cells = ROLES.map((role) => {
        if (!route.permission!.roles.includes(role)) return '—';
        return role === 'sales_rep' && route.permission!.ownerScoped ? 'own' : 'yes';
      });
      return `| \`${route.method} ${route.path}\` | ${route.permission!.name} | ${cells.join(' | ')} |`;
    });
  return [header, ...rows].join('\n');
}
