// viem declares an optional peer on mppx >= 0.17, newer than the mppx the interop tests pin. With
// mppx installed, that peer splits viem into two copies whose types do not mix (the tests hand
// accounts and clients from one to the other). viem does not need mppx, so the peer is dropped.
function readPackage(pkg) {
  if (pkg.name === 'viem') {
    if (pkg.peerDependencies) delete pkg.peerDependencies.mppx
    if (pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta.mppx
  }
  return pkg
}

module.exports = { hooks: { readPackage } }
