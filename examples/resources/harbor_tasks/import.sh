# Harbor has one scan-all schedule.
terraform import harbor_tasks.main /system/scanAll/schedule
