// Public surface of client/: the Samsa producer, consumer and admin client.
export {};
