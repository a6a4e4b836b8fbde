/** Every port contract; an adapter test runs them all (STYLE habit 6). */
export { alarmRepoContract } from './alarm-repo.contract.js';
export { auditRepoContract } from './audit-repo.contract.js';
export { commandRepoContract } from './command-repo.contract.js';
export { deviceRepoContract } from './device-repo.contract.js';
export type { MakeStore, StoreHandle } from './fixtures.js';
export { lockerRepoContract } from './locker-repo.contract.js';
export { siteRepoContract } from './site-repo.contract.js';
export { storeContract } from './store.contract.js';
export { tokenRepoContract } from './token-repo.contract.js';
