# Harbor has one garbage collection schedule.
terraform import harbor_garbage_collection.main /system/gc/schedule
