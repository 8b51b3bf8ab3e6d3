import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// HTTP stays thin: route files validate, authorise and shape answers; the queries live in
// apps/parking/src/store/ (one repository per resource). The client may be passed through
// to a repository, never queried here.
const http = resolve(__dirname, '../../apps/parking/src/http');
const query = /\b(?:prisma|tx|db)\.\w+\.(?:find|create|update|delete|count|upsert|aggregate|groupBy)\w*\(|\$(?:transaction|executeRaw|queryRaw)/g;

describe('apps/parking/src/http', () => {
  it('runs no Prisma query itself', () => {
    const found = readdirSync(http)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        readFileSync(join(http, name), 'utf8')
          .split('\n')
          .flatMap((line, i) => (line.match(query) ? [`http/${name}:${i + 1}: ${line.trim()}`] : [])),
      );
    if (found.length > 0) console.error(`Prisma queries in http/:\n${found.join('\n')}`);
    expect(found).toEqual([]);
  });
});
