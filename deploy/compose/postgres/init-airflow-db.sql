-- Airflow's metadata database next to MLflow's (POSTGRES_DB), owned by the same local user.
CREATE DATABASE airflow OWNER fosm;
