// What Sveltia CMS 0.221.1 writes for a record: the npm package `yaml` (2.9.1, pinned in
// package-lock.json) with the options of Sveltia's src/lib/services/contents/file/format.js,
// keys in the order of the schema's properties (the order its generated form lists them).
// Reads {"documents": [{"data": ..., "schema": ...}, ...]} on stdin, writes a JSON list of texts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { stringify } = require('yaml');

function names(schema) {
  const found = [];
  const visit = (node) => {
    if (!node || typeof node !== 'object') return;
    for (const name of Object.keys(node.properties || {})) if (!found.includes(name)) found.push(name);
    for (const word of ['allOf', 'anyOf', 'oneOf']) for (const sub of node[word] || []) visit(sub);
    for (const word of ['if', 'then', 'else']) visit(node[word]);
  };
  visit(schema);
  return found;
}

function child(schema, key) {
  if (!schema || typeof schema !== 'object') return undefined;
  if (typeof key === 'number') return schema.items;
  if (schema.properties && key in schema.properties) return schema.properties[key];
  for (const word of ['allOf', 'anyOf', 'oneOf', 'then', 'else']) {
    for (const sub of [].concat(schema[word] || [])) {
      const got = child(sub, key);
      if (got) return got;
    }
  }
  return undefined;
}

function ordered(value, schema) {
  if (Array.isArray(value)) return value.map((item, i) => ordered(item, child(schema, i)));
  if (value === null || typeof value !== 'object') return value;
  const order = names(schema);
  const keys = [...order.filter((k) => k in value), ...Object.keys(value).filter((k) => !order.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, ordered(value[k], child(schema, k))]));
}

const { documents } = JSON.parse(readFileSync(0, 'utf8'));
const texts = documents.map(({ data, schema }) =>
  stringify(ordered(data, schema), null, {
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    defaultKeyType: 'PLAIN',
    defaultStringType: 'PLAIN',
    singleQuote: true,
  }).trim() + '\n',
);
process.stdout.write(JSON.stringify(texts));
