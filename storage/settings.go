package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const (
	settingSQL    = `SELECT value FROM settings WHERE key = ?`
	setSettingSQL = `
	INSERT INTO settings (key, value) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`
)

// Setting returns the value stored under key; ok is false when the key has
// never been set.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.stmts.setting.QueryRowContext(ctx, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: read setting %q: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any previous value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("storage: set setting: empty key")
	}
	_, err := s.stmts.setSetting.ExecContext(ctx, key, value)
	if err != nil {
		return fmt.Errorf("storage: set setting %q: %w", key, err)
	}
	return nil
}

// SettingsWithPrefix returns every setting whose key starts with prefix,
// by key with the prefix cut off.
func (s *Store) SettingsWithPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?`, len(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("storage: settings %q…: %w", prefix, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("storage: settings %q…: %w", prefix, err)
		}
		out[k[len(prefix):]] = v
	}
	return out, rows.Err()
}

// DeleteSetting forgets key.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key); err != nil {
		return fmt.Errorf("storage: delete setting %q: %w", key, err)
	}
	return nil
}
