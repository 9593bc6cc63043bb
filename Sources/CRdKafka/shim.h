// The system librdkafka (>= 2.3; pkg-config `rdkafka`), plus a few non-variadic wrappers that
// Swift can call: rd_kafka_producev() is a variadic macro-driven API Swift cannot import.
#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

/// Enqueues one message (payload and key copied). On success librdkafka owns `headers`;
/// on failure the caller still owns them.
static inline rd_kafka_resp_err_t crdkafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                                   const void *key, size_t key_len,
                                                   const void *value, size_t value_len,
                                                   rd_kafka_headers_t *headers, void *msg_opaque) {
    if (headers) {
        return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                                 RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(msg_opaque),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_OPAQUE(msg_opaque), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END);
}

/// rd_kafka_metadata() shares its name with the struct; this wrapper avoids the ambiguity.
static inline rd_kafka_resp_err_t crdkafka_metadata_all(rd_kafka_t *rk, const struct rd_kafka_metadata **md,
                                                        int timeout_ms) {
    return rd_kafka_metadata(rk, 1, NULL, md, timeout_ms);
}

#endif
