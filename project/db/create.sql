-- The users service's databases, in utf8mb4, and the rights of its application user on them alone.
-- The user 'users' exists before this runs: the MySQL image makes it from MYSQL_USER and MYSQL_PASSWORD
-- (the compose files), and `make stack-up` makes it on the local MariaDB. TRIGGER: the migrations keep the
-- users list's running totals with triggers.
CREATE DATABASE IF NOT EXISTS users_dev CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS users_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS users_prod CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER ON users_dev.* TO 'users'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER ON users_test.* TO 'users'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER ON users_prod.* TO 'users'@'%';
