/** The ZooKeeper adapter and the clients it offers. */
export { ZOOKEEPER_CLIENTS } from './clients.js';
export * from './db.js';
