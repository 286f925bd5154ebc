// Parses docs/asyncapi.yaml with the AsyncAPI parser (which also runs its Spectral rules) and exits non-zero on any
// error or warning, printing each diagnostic with its path in the document.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const file = process.argv[2] ?? fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
const { document, diagnostics } = await new Parser().parse(await readFile(file, 'utf8'), { source: file });

const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
for (const d of diagnostics) {
  console.log(`${names[d.severity]} ${d.code}: ${d.message} at ${d.path.join('.') || '(root)'}`);
}
const failing = diagnostics.filter(d => d.severity <= DiagnosticSeverity.Warning);
if (document === undefined || failing.length > 0) {
  console.log(`INVALID ${file}: ${failing.length} error(s) or warning(s)`);
  process.exit(1);
}
console.log(`valid AsyncAPI ${document.version()}: ${document.channels().length} channels, `
  + `${document.operations().length} operations, ${document.messages().length} messages`);
