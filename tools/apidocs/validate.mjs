// Validates an OpenAPI document with a real OpenAPI 3.0 validator (the official JSON
// schema plus swagger-parser's semantic checks). Usage: node validate.mjs FILE
// Exit status 0 when valid; 1 with every violation listed on stderr otherwise.
import SwaggerParser from '@apidevtools/swagger-parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs OPENAPI.json');
  process.exit(2);
}
try {
  // validate() dereferences in place: hand it its own copy of the path.
  const api = await SwaggerParser.validate(file);
  if (!/^3\.0\.\d+$/.test(api.openapi ?? '')) {
    throw new Error(`openapi is "${api.openapi}", expected 3.0.x (client generators)`);
  }
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
} catch (err) {
  console.error(`${file}: invalid`);
  console.error(err.details ? JSON.stringify(err.details, null, 2) : '');
  console.error(err.message);
  process.exit(1);
}
