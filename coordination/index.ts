// Public surface of coordination/: everything that knows ZooKeeper.
export {};
