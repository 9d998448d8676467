import fs from 'node:fs';
import path from 'node:path';
import { openApiDocument } from './document';

/**
 * `npm run openapi`: writes the gateway's public/openapi.json from the services' schemas;
 * `-- --check` only says whether the file is what the schemas make now (exit 1 if not).
 */
const target = path.resolve(__dirname, '..', '..', 'public', 'openapi.json');
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`✖ ${target} is not what the schemas make now: run \`npm run openapi\``);
    process.exit(1);
  }
  console.log(`✔ ${target} is up to date`);
} else {
  fs.writeFileSync(target, text);
  console.log(`✔ wrote ${target}`);
}
