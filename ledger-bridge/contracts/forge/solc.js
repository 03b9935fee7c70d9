#!/usr/bin/env node
// A `solc` executable for forge, backed by the project-local solcjs (npm `solc`, the very compiler
// compile.js builds the Java wrappers with). No native solc can be fetched from a package
// registry, and forge accepts any executable speaking solc's command line for what it uses:
//   solc --version                    -> "solc, ...\nVersion: <version>\n"
//   solc [--allow-paths P] [--base-path B] [--include-path I]... --standard-json
//                                     -> standard JSON in on stdin, standard JSON out on stdout
// The solc package is found under $OPENLEDGER_SOLC_MODULES, else under
// $OPENLEDGER_LOCAL_DIR/node/node_modules, else under the repository's .local/node/node_modules.
'use strict';
const fs = require('fs');
const path = require('path');

function die(message) {
  process.stderr.write(`solc.js: ${message}\n`);
  process.exit(1);
}

function nodeModules() {
  if (process.env.OPENLEDGER_SOLC_MODULES) return process.env.OPENLEDGER_SOLC_MODULES;
  const local = process.env.OPENLEDGER_LOCAL_DIR || path.join(__dirname, '..', '..', '..', '.local');
  return path.join(local, 'node', 'node_modules');
}

function loadSolc() {
  const dir = nodeModules();
  try {
    return require(path.join(dir, 'solc'));
  } catch (e) {
    return die(`npm solc not found under ${dir} (${e.code || e.message}): run bin/openledger install`);
  }
}

// Imports forge did not put into the input already: paths relative to the base path (forge's
// project root) or to an include path, or absolute ones.
function importCallback(roots) {
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.join(r, importPath));
    for (const c of candidates) {
      if (fs.existsSync(c)) return { contents: fs.readFileSync(c, 'utf8') };
    }
    return { error: `import not found: ${importPath} (looked in ${roots.join(', ')})` };
  };
}

function main(args) {
  const solc = loadSolc();
  if (args.includes('--version')) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!args.includes('--standard-json')) die(`only --version and --standard-json are supported, got: ${args.join(' ')}`);
  const roots = [];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '--base-path' || args[i] === '--include-path') && i + 1 < args.length) roots.push(args[++i]);
  }
  if (roots.length === 0) roots.push(process.cwd());
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const input = Buffer.concat(chunks).toString('utf8');
    process.stdout.write(solc.compile(input, { import: importCallback(roots) }));
  });
}

main(process.argv.slice(2));
