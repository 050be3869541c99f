/* The sandbox's deterministic seed data: a catalog covering every item in the
 * documents plus new-commerce Microsoft 365, and customers generated from their
 * index so that 100,000 of them cost no more to hold than their search keys. */
#ifndef PCCART_SANDBOX_SEED_H
#define PCCART_SANDBOX_SEED_H

#include "model/catalog.h"
#include "model/customer.h"

/* The two customer ids used in the original documents; seed indexes 0 and 1. */
#define SEED_DOC_CUSTOMER_ID "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d"
#define SEED_DOC_CUSTOMER_ID_2 "28045616-f6b9-462f-9701-0d89b5e65c44"
/* The Azure subscription the create-a-cart example's reservations refer to (customer 0). */
#define SEED_DOC_SUBSCRIPTION_ID "1C461A25-F729-4FA5-AADB-280947DD05E8"

/* A fresh catalog; NULL if out of memory. */
Catalog *seed_catalog_new(void);

/* Fills customer (cleared first) with seed customer `index` (0-based). The same index
 * always gives the same customer; ids, names and domains are unique across indexes
 * below SANDBOX_MAX_CUSTOMERS. False if out of memory. */
bool seed_customer(long index, Customer *customer);

/* The customer's subscriptions: 1..5 MS-AZR-0145P Azure subscriptions (at least one
 * active and enabled for reservations) and, for some, Microsoft 365 subscriptions. */
bool seed_customer_subscriptions(long index, SubscriptionList *subscriptions);

/* Cheap accessors for building search indexes: write into buf, return false if too small. */
bool seed_customer_id(long index, char *buf, size_t size);
bool seed_customer_company_name(long index, char *buf, size_t size);
bool seed_customer_domain(long index, char *buf, size_t size);

/* Valid promotion ids for NCE items are part of the catalog (catalog->promotions). */

#endif
