# Harbor has one scan-all schedule.
terraform import harbor_interrogation_services.main /system/scanAll/schedule
