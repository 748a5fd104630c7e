const solc = require('solc'); const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
const input = {language:'Solidity', sources:{'ExchangeEventEmitter.sol':{content:src}},
  settings:{optimizer:{enabled:true, runs:200}, outputSelection:{'*':{'*':['evm.deployedBytecode.object','evm.methodIdentifiers']}}}};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
if (out.errors) for (const e of out.errors) console.error(e.formattedMessage);
const c = out.contracts['ExchangeEventEmitter.sol'].ExchangeEventEmitter;
console.error(solc.version(), JSON.stringify(c.evm.methodIdentifiers));
process.stdout.write(c.evm.deployedBytecode.object + '\n');
