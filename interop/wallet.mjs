// wallet.mjs: what the wallet scripts (oid4vci.mjs, vcapi.mjs) share:
// verifying a received credential with @digitalbazaar/vc, the issuer's
// proof offline and its status entries against the lists the issuer
// serves, fetched over HTTPS.

import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {verificationSuites, describe} from './stack.mjs';
import {createLoader} from './loader.mjs';

// verifyReceived checks the issuer's proof with the offline loader and the
// status entries against the lists the issuer serves: URLs under origin
// (the issuer's https origin) are fetched, nothing else.
export async function verifyReceived(credential, origin) {
  const base = createLoader();
  const documentLoader = async url => {
    if(url.startsWith(origin + '/')) {
      const r = await fetch(url);
      if(!r.ok) {
        throw new Error(`fetching ${url}: ${r.status}`);
      }
      return {contextUrl: null, documentUrl: url, document: await r.json()};
    }
    return base.documentLoader(url);
  };
  const out = {verified: false, error: ''};
  try {
    const result = await vc.verifyCredential({
      credential,
      suite: verificationSuites(),
      documentLoader,
      checkStatus: opts => checkStatus({
        ...opts, suite: verificationSuites(), documentLoader
      })
    });
    out.proofVerified = (result.results || []).some(r => r.verified);
    out.statusVerified = !!(result.statusResult &&
      result.statusResult.verified);
    out.revoked = !!(result.statusResult && (result.statusResult.results ||
      []).some(r => r.status === true));
    out.verified = result.verified === true;
    if(!out.verified) {
      out.error = describe(result.error || result.statusResult?.error ||
        new Error('not verified'));
    }
  } catch(e) {
    out.error = describe(e);
  }
  return out;
}
