// Runs before anything else in `npm start` and `npm run build`, on whatever Node the learner has:
// plain ES5-era JavaScript on purpose, so an old Node reads it and says what to install instead
// of failing a minute later inside the toolchain with a less helpful message.
'use strict';
var fs = require('fs');
var path = require('path');

var pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
var wanted = (pkg.engines && pkg.engines.node) || '';
var match = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(wanted);
if (!match) {
  console.error('package.json engines.node should read ">=X.Y.Z", got ' + JSON.stringify(wanted));
  process.exit(1);
}
var need = [Number(match[1]), Number(match[2]), Number(match[3])];
var have = process.versions.node.split('.').map(Number);
var older = false;
for (var i = 0; i < 3; i++) {
  if (have[i] !== need[i]) {
    older = have[i] < need[i];
    break;
  }
}
if (older) {
  console.error(
    'This course needs Node ' + need.join('.') + ' or newer (Node 22 LTS or later); this is Node ' + process.versions.node + '.\n' +
      'Install a current Node (https://nodejs.org, or `nvm install 22`), then run the command again.'
  );
  process.exit(1);
}
