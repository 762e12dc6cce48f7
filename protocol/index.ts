// Public surface of protocol/: Kafka wire codecs, record batches, CRC32C, compression, error
// codes and the internal msgpack frame codec. Pure code: no sockets, files, timers or logging.
export {};
