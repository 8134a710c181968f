-- Events about the deployment itself (admin keys created or deleted) belong to no product.

ALTER TABLE events ALTER COLUMN product DROP NOT NULL;
