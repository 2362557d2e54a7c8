/** The etcd adapter and the clients it offers. */
export { ETCD_CLIENTS } from './clients.js';
export * from './db.js';
