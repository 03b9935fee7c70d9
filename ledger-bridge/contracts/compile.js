// Compiles contracts/src/*.sol with the project-local solc (npm `solc`, installed by
// `bin/openledger install`) into <out>/<Contract>.abi and .bin, for web3j's wrapper generator.
// Usage: node compile.js <out-dir> <evm-version> <node_modules-dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, evmVersion, nodeModules] = process.argv.slice(2);
if (!outDir || !evmVersion || !nodeModules) {
  console.error('usage: node compile.js <out-dir> <evm-version> <node_modules-dir>');
  process.exit(2);
}
let solc;
try {
  solc = require(path.join(nodeModules, 'solc'));
} catch (e) {
  console.error(`solc not found under ${nodeModules}: run bin/openledger install`);
  process.exit(1);
}

// Contracts deployed by the project besides its own sources.
const EXTRA = { 'TimelockController': '@openzeppelin/contracts/governance/TimelockController.sol' };

const srcDir = path.join(__dirname, 'src');
const sources = {};
for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };
}
for (const file of Object.values(EXTRA)) {
  sources[file] = { content: fs.readFileSync(path.join(nodeModules, file), 'utf8') };
}

// Skip the (slow) compile when sources, EVM version and compiler are those of the last run.
const crypto = require('crypto');
const stamp = crypto.createHash('sha256')
  .update(JSON.stringify({ sources, evmVersion, solc: solc.version() })).digest('hex');
const stampFile = path.join(outDir, '.stamp');
if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
  console.log(`contracts up to date in ${outDir}`);
  process.exit(0);
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion,
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

function findImports(importPath) {
  const candidate = path.join(nodeModules, importPath);
  if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  return { error: `import not found: ${importPath}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) {
  if (e.severity === 'error') console.error(e.formattedMessage);
}
if (errors.length) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
const wanted = new Map();
for (const f of Object.keys(sources)) {
  if (!f.includes('/')) wanted.set(f, null); // every contract of our own sources
}
for (const [name, file] of Object.entries(EXTRA)) wanted.set(file, name);

let count = 0;
for (const [file, only] of wanted) {
  for (const [name, c] of Object.entries(output.contracts[file] || {})) {
    if (only && name !== only) continue;
    const bin = c.evm.bytecode.object;
    if (!bin) continue; // interfaces and abstract contracts
    const size = c.evm.deployedBytecode.object.length / 2;
    if (size > 24576) {
      console.error(`${name}: deployed size ${size} bytes exceeds the EIP-170 limit of 24576`);
      process.exit(1);
    }
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(c.abi));
    fs.writeFileSync(path.join(outDir, `${name}.bin`), bin);
    count++;
  }
}
fs.writeFileSync(stampFile, stamp);
console.log(`compiled ${count} contracts for EVM ${evmVersion} with solc ${solc.version()} into ${outDir}`);
