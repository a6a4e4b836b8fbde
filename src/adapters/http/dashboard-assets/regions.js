// The region tree (province → city → district) from GET /v1/regions, for the breadcrumb, the
// default selection and scoping locker-level lists to the selected region.

/** The parent a GB/T 2260 code implies by itself (220102 → 220100 → 220000), as the gateway does. */
function structuralParent(code) {
  if (!/^\d{6}$/.test(code ?? '') || code.endsWith('0000')) return null;
  return code.endsWith('00') ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;
}

export class RegionTree {
  constructor(regions) {
    this.byCode = new Map(regions.map((r) => [r.code, r]));
    this.roots = regions.filter((r) => !r.parentCode || !this.byCode.has(r.parentCode));
  }

  /** A child region a report named that the region list did not (e.g. a district with no seed entry). */
  learn(child, parentCode) {
    if (!this.byCode.has(child.code)) this.byCode.set(child.code, { code: child.code, parentCode, nameZh: child.nameZh, nameEn: child.nameEn });
  }

  get(code) {
    return this.byCode.get(code);
  }

  /** The starting region: the top of the tree (the province). */
  defaultCode() {
    return this.roots[0]?.code ?? null;
  }

  /** [code, parent, …, root]: parents from the list, else from the code's structure; capped against cycles. */
  chain(code) {
    const codes = [];
    for (let c = code; c && !codes.includes(c) && codes.length < 8; c = this.byCode.get(c)?.parentCode ?? structuralParent(c)) codes.push(c);
    return codes;
  }

  /** From the top down to `code`, the regions the list knows, for the breadcrumb. */
  path(code) {
    return this.chain(code).reverse().map((c) => this.byCode.get(c)).filter(Boolean);
  }
}
